"""The lab's workload: a legacy application with its data in PostgreSQL, moved onto two cloud nodes
that run it dual-active behind HAProxy, all in network namespaces (``gcw-*``) on one bridge.

:mod:`.layout` (places and addresses), :mod:`.runtime` (namespaces and processes),
:mod:`.postgres`, :mod:`.frontend`, :mod:`.backup`, :mod:`.driver` (the lifecycle steps),
:mod:`.drill` (client and measurements). ``app.py``, ``client.py`` and ``monitor.py`` are scripts
run by Debian's python3 inside the namespaces; they import nothing from govcloud.
"""
