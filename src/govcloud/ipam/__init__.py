"""Hierarchical IPv4/IPv6 address planning over netaddr, with a persistent ledger."""

from ..errors import InputError
from ..model.loader import problems_error
from .ledger import Allocation, Ledger, Status, dump_ledger, load_ledger, write_ledger
from .levels import Level
from .addressplan import AddressPlan, compute_levels, plan_additions, plan_addresses, plan_growth
from .exports import to_json, to_netbox_csv, utilisation

__all__ = ["AddressPlan", "Allocation", "Ledger", "Level", "Status", "compute_levels", "dump_ledger", "load_ledger",
           "plan_additions", "plan_addresses", "plan_growth", "to_json", "to_netbox_csv", "utilisation", "write_ledger"]


def plan_environment(environment, incremental: bool = True) -> AddressPlan:
    """The address plan of a loaded environment, against the ledger committed beside it.

    Running out of space is a problem of the model, so the error points at the model's field.
    When the model only grew, only what is new is planned (see :func:`plan_growth`).
    """
    try:
        planner = plan_growth if incremental else plan_addresses
        return planner(environment.province, load_ledger(environment.path))
    except InputError as exc:
        if exc.problem is None:
            raise
        raise problems_error(environment, [exc.problem]) from None
