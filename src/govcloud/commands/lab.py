"""`govcloud lab up|down|status`: the local OpenStack control plane, built from the model."""

from __future__ import annotations

import typer

from .common import OutputFormat, console, lab_topology, load_env, print_json, print_table, project_root

app = typer.Typer(no_args_is_help=True, help="The local OpenStack lab (Keystone, Neutron, Nova, Glance, Cinder).")

LAB_ENV = typer.Option("lab", "--env", "-e", help="Environment whose nodes and regions the lab holds.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="lab")


@app.command("up")
def up(
    env: str = LAB_ENV,
    format: OutputFormat = OutputFormat.TABLE,
    data_plane: bool = typer.Option(
        False, "--data-plane",
        help="Also run the real Neutron data plane (Linux bridge, L3, DHCP and BGP agents); "
             "`lab up` without it turns it off again."),
) -> None:
    """Start the lab (a no-op when it is already up with the same contents)."""
    from dataclasses import replace

    from ..lab.openstack.api import lab_up
    from ..lab.openstack.from_model import lab_spec

    province = load_env(env).province
    status = lab_up(replace(lab_spec(province), data_plane=data_plane))
    operators = _operators(province) if status.up else {}
    if format is OutputFormat.JSON:
        print_json({**status.to_dict(), "operators": {cloud: str(path) for cloud, path in operators.items()}})
        return
    _show(status, format)
    for cloud, path in operators.items():
        console.print(f"operators' cloud {cloud}: {path}")


def _operators(province) -> dict:
    """The model's per-city operators in the lab's Keystone, with a clouds.yaml each (the lab's
    overlay: a real site's identity team makes these accounts)."""
    from ..lab.openstack.operators import ensure_operators

    return ensure_operators(province)


@app.command("down")
def down(purge: bool = typer.Option(False, "--purge", help="Also delete the lab's data (next start is cold), "
                                                            "with the migration workload that data describes.")) -> None:
    """Stop the services the lab started (a no-op when it is down)."""
    from ..lab.openstack.api import lab_down

    lab_down(purge=purge)
    console.print("OpenStack lab down" + (" and purged" if purge else ""))
    if purge:  # the purged deployment state held the migration runs: their systems go too
        from ..lab.workload.namespaces import teardown_all

        gone = teardown_all()
        if gone["changed"]:
            console.print(f"migration workload removed ({gone['namespaces']} namespaces)")


@app.command("join")
def join(env: str = LAB_ENV, format: OutputFormat = OutputFormat.TABLE) -> None:
    """Plug each node's transit network into its border router's cloud interface (both labs up,
    stacks deployed), so the BGP speakers reach the border routers. Joining twice changes nothing."""
    from ..ipam import plan_environment
    from ..lab.join import join_labs
    from ..lab.netlab.runtime import namespace
    from ..network.cloud_routing import peerings_by_site
    from ..network.environment import speaking_nodes

    environment = load_env(env)
    peerings = peerings_by_site(environment.province, plan_environment(environment),
                                speaking_nodes(environment, project_root()))
    rows = join_labs(lab_topology(environment), peerings, namespace)
    if format is OutputFormat.JSON:
        print_json(rows)
        return
    print_table("transit joins", ["node", "bridge", "router", "speaker", "changed"],
                [[r["node"], r.get("bridge") or r.get("missing"), r.get("router", ""), " ".join(r.get("speaker", [])),
                  r["changed"]] for r in rows])


@app.command("deployment-dir")
def deployment_dir() -> None:
    """Print the folder that keeps the state of what is deployed into this lab. `make demo` keeps
    its state there (GOVCLOUD_STATE_DIR), with the lab rather than in one checkout: a second
    checkout's demo finds the same deployment, and `lab down --purge` removes both together."""
    from ..lab.openstack.statedir import lab_paths_from_env

    print(lab_paths_from_env().deployment)


@app.command("status")
def status(format: OutputFormat = OutputFormat.TABLE) -> None:
    """Whether each service runs and answers, and where clouds.yaml is."""
    from ..lab.openstack.api import lab_status

    _show(lab_status(), format)


def _show(status, format: OutputFormat) -> None:
    if format is OutputFormat.JSON:
        print_json(status.to_dict())
    else:
        console.print(status.summary())
