"""The govcloud baseline as a CrossGuard pack. Assembles the rules of govcloud.policy; nothing else.

Enforcement levels per environment: environments/<env>.yaml beside this file (the same file
`govcloud policy check` reads). The environment comes from GOVCLOUD_ENV, the stack's config
(govcloud:env), or the stack name.
"""

from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

from govcloud.policy.pack import (baseline_policies, watch_resource_analysis, watch_stack_analysis,
                                  watch_stack_configuration)

policies, state = baseline_policies(project_root=Path(__file__).resolve().parents[2])
watch_stack_configuration(state)
watch_stack_analysis(state)
watch_resource_analysis(state)

PolicyPack(name="govcloud-baseline", policies=policies, enforcement_level=EnforcementLevel.MANDATORY)
