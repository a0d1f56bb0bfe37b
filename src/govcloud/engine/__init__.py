"""The Pulumi engine: finding it (``locate``) and driving it."""
