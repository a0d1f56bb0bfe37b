"""Drift and continuous compliance: the live cloud and routers against the model, and the same
policy rules on the live state (`govcloud drift`)."""
