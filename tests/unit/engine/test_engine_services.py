"""Each service a stack needs is asked; the one that does not answer is named with its fix."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from keystoneauth1 import exceptions as ks

from govcloud.engine.services import check_services, services_for
from govcloud.errors import EngineError
from govcloud.stackgraph import tokens as t


class Down:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ks.ConnectFailure("Unable to establish connection to http://127.0.0.1:9696/v2.0/networks: EOF")
        return fail


def _connection(down: str | None = None):
    up = SimpleNamespace(regions=lambda: iter([1]), networks=lambda limit: iter([]), flavors=lambda limit: iter([1]),
                         types=lambda: iter([]), images=lambda limit: iter([]))
    proxies = {name: (Down() if name == down else up) for name in ("identity", "network", "compute", "block_storage")}
    return SimpleNamespace(**proxies, endpoint_for=lambda kind: {"network": "http://127.0.0.1:9696"}.get(kind))


def test_the_services_follow_the_stacks_resource_types():
    names = [s.name for s in services_for([t.NETWORK, t.SUBNET, t.VOLUME, t.PROJECT])]
    assert names == ["Keystone", "Neutron", "Cinder"]
    assert [s.name for s in services_for([t.INSTANCE])] == ["Keystone", "Nova"]


def test_all_answering_is_silent():
    check_services(_connection(), services_for([t.NETWORK, t.INSTANCE, t.VOLUME]))


def test_neutron_down_is_named_with_its_endpoint_and_fix():
    with pytest.raises(EngineError) as caught:
        check_services(_connection("network"), services_for([t.NETWORK, t.INSTANCE]),
                       during="up of lab-province failed: ")
    message = caught.value.message
    assert message.startswith("up of lab-province failed: Neutron (network service) at http://127.0.0.1:9696")
    assert "EOF" in message and "lab status" in caught.value.fix


def test_a_service_the_stack_does_not_use_is_not_asked():
    check_services(_connection("block_storage"), services_for([t.NETWORK]))
