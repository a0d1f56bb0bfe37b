"""Hierarchical IPv4/IPv6 address planning over netaddr, with a persistent ledger."""

from .ledger import Allocation, Ledger, Status, dump_ledger, load_ledger, write_ledger
from .levels import Level
from .plan import AddressPlan, compute_levels, plan_additions, plan_addresses
from .report import to_json, to_netbox_csv, utilisation

__all__ = ["AddressPlan", "Allocation", "Ledger", "Level", "Status", "compute_levels", "dump_ledger", "load_ledger",
           "plan_additions", "plan_addresses", "to_json", "to_netbox_csv", "utilisation", "write_ledger"]


def plan_environment(environment) -> AddressPlan:
    """The address plan of a loaded environment, against the ledger committed beside it.

    Running out of space is a problem of the model, so the error points at the model's field.
    """
    from ..errors import InputError, ModelError
    from ..model.loader import locate

    try:
        return plan_addresses(environment.province, load_ledger(environment.path))
    except InputError as exc:
        if not exc.field:
            raise
        raise ModelError(exc.message, location=locate(environment, exc.field), fix=exc.fix) from None
