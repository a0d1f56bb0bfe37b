"""The extranet: router-level topology, inventories, rollout waves, the Ansible runner, preflight."""

from .outcomes import exits_state_path, rollout_state_path

__all__ = ["exits_state_path", "rollout_state_path"]
