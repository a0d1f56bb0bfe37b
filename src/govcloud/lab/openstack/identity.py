"""Keystone content after bootstrap: service users, regions, the catalog, the tenant.

``keystone-manage bootstrap`` (in :mod:`schema`) creates admin, the admin/member/reader roles,
the identity service and the first region. Everything else is made here through the API,
find-or-create, so it can run again when the spec changes (a new region or project).
"""

from __future__ import annotations

from dataclasses import dataclass

from openstack.connection import Connection

from govcloud.lab.openstack.ports import HOST, LabPorts
from govcloud.lab.openstack.labspec import OpenStackLabSpec

SERVICE_USERS = ("nova", "neutron", "glance", "cinder", "placement")
INTERFACES = ("public", "internal", "admin")
DOMAIN = "default"


@dataclass(frozen=True)
class CatalogEntry:
    """One service in the catalog; every region gets the same URLs (regions are aliases here)."""

    name: str
    type: str
    url: str


def catalog(lab_ports: LabPorts) -> tuple[CatalogEntry, ...]:
    base = f"http://{HOST}"
    return (
        CatalogEntry("keystone", "identity", lab_ports.keystone_url),
        CatalogEntry("nova", "compute", f"{base}:{lab_ports.NOVA}/v2.1"),
        CatalogEntry("placement", "placement", f"{base}:{lab_ports.PLACEMENT}"),
        CatalogEntry("neutron", "network", f"{base}:{lab_ports.NEUTRON}"),
        CatalogEntry("glance", "image", f"{base}:{lab_ports.GLANCE}"),
        # Nova finds Cinder as volumev3 (its [cinder] catalog_info default).
        CatalogEntry("cinderv3", "volumev3", f"{base}:{lab_ports.CINDER}/v3/%(project_id)s"),
    )


def ensure_identity(conn: Connection, spec: OpenStackLabSpec, secrets: dict[str, str], lab_ports: LabPorts) -> None:
    """Make keystone hold everything ``spec`` asks for; changes nothing when it already does."""
    keystone = _Keystone(conn, secrets)
    keystone.project("service", "Service users of the lab")
    for name in SERVICE_USERS:
        keystone.user(name, account=name, project="service")
        for role in ("admin", "service"):
            keystone.grant("service", name, role)
    _ensure_catalog(conn, spec.regions, catalog(lab_ports))
    keystone.project(spec.tenant.project, "Tenant project of the lab")
    keystone.user(spec.tenant.user, account="tenant", project=spec.tenant.project)
    for name in (spec.tenant.project, *spec.extra_projects):
        keystone.project(name, "Project of the lab")
        # The tenant user is a plain member (and reader) everywhere; admin can manage every project.
        for role in ("member", "reader"):
            keystone.grant(name, spec.tenant.user, role)
        keystone.grant(name, "admin", "admin")


class _Keystone:
    """Find-or-create over keystone, listing roles, projects, users and grants once.

    On a loaded machine each keystone call can take seconds; a pass that finds everything in
    place costs five list calls instead of two calls per object.
    """

    def __init__(self, conn: Connection, secrets: dict[str, str]) -> None:
        self.conn = conn
        self.secrets = secrets
        identity = conn.identity
        self.roles = {role.name: role.id for role in identity.roles()}
        for name in ("admin", "member", "reader", "service"):
            self.roles[name] = self.roles.get(name) or identity.create_role(name=name).id
        self.projects = {project.name: project.id for project in identity.projects(domain_id=DOMAIN)}
        self.users = {user.name: user.id for user in identity.users(domain_id=DOMAIN)}
        self.grants = {
            (a.user["id"], a.scope["project"]["id"], a.role["id"])
            for a in identity.role_assignments()
            if a.user and "project" in (a.scope or {})
        }

    def project(self, name: str, description: str) -> None:
        if name not in self.projects:
            created = self.conn.identity.create_project(
                name=name, domain_id=DOMAIN, description=description, is_enabled=True
            )
            self.projects[name] = created.id

    def user(self, name: str, *, account: str, project: str) -> None:
        """Create ``name`` with the password of lab account ``account`` unless it exists."""
        if name not in self.users:
            created = self.conn.identity.create_user(
                name=name,
                password=self.secrets[account],
                domain_id=DOMAIN,
                default_project_id=self.projects[project],
                is_enabled=True,
            )
            self.users[name] = created.id

    def grant(self, project: str, user: str, role: str) -> None:
        key = (self.users[user], self.projects[project], self.roles[role])
        if key not in self.grants:
            self.conn.identity.assign_project_role_to_user(key[1], key[0], key[2])
            self.grants.add(key)


def _ensure_catalog(conn: Connection, regions: tuple[str, ...], entries: tuple[CatalogEntry, ...]) -> None:
    existing_regions = {region.id for region in conn.identity.regions()}
    for region in regions:
        if region not in existing_regions:
            conn.identity.create_region(id=region, description="govcloud lab region (alias of the same services)")
    services = {service.type: service for service in conn.identity.services()}
    endpoints = {(e.service_id, e.region_id, e.interface): e for e in conn.identity.endpoints()}
    for entry in entries:
        service = services.get(entry.type) or conn.identity.create_service(
            name=entry.name, type=entry.type, description=f"{entry.name} of the govcloud lab", is_enabled=True
        )
        for region in regions:
            for interface in INTERFACES:
                current = endpoints.get((service.id, region, interface))
                if current is None:
                    conn.identity.create_endpoint(
                        service_id=service.id, interface=interface, url=entry.url, region_id=region
                    )
                elif current.url != entry.url:
                    conn.identity.update_endpoint(current, url=entry.url)
