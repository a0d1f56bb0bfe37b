"""Migration execution: each system of a wave driven through its lifecycle, one persisted step at a
time (:mod:`.lifecycle`, :mod:`.run_state`, :mod:`.executor`), with the side effects behind two small
protocols (:mod:`.providers`): a :class:`~.providers.Provisioner` for the cloud resources and a
:class:`~.providers.WorkloadDriver` for the application and its data.
"""
