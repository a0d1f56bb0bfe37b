"""The CLI's command groups, one module each. ``govcloud.cli`` assembles them."""
