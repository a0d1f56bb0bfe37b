"""The baseline's rules, one module per area; :mod:`govcloud.policy.registry` collects them."""
