"""The province report: the plan's KPIs, the cloud, the extranet, IPv6 quality, supervision, DR,
policy findings and their trend, as a static site (HTML + inline SVG) and as JSON.

Three layers: :mod:`.sources` reads what is on disk (model, waves, state files, measurements),
:mod:`.collect` turns it into one :class:`~.collect.ReportData` (pure), and :mod:`.render` writes
the pages from it (pure apart from writing files). The probes that produce the measurements
(:mod:`.ipv6_probe`, :mod:`.cloud_usage`) are separate: the report only reads what they recorded.
"""
