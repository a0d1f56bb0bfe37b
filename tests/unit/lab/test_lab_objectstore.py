"""The lab's object store: ports per instance, the engine's backend URL, one key per operator."""

from __future__ import annotations

import json
import stat
from urllib.parse import parse_qs, urlparse

from govcloud.lab.objectstore import ObjectStorePaths, _operators, backend_url, operator_env


def test_ports_shift_with_the_instance_so_instances_never_share_one(tmp_path):
    default, fifth = ObjectStorePaths(tmp_path).ports, ObjectStorePaths(tmp_path, 5000).ports
    assert {name: port + 5000 for name, port in default.items()} == fifth
    assert len(set(default.values())) == len(default)


def test_the_backend_url_is_a_path_style_bucket_on_the_proxy(tmp_path):
    url = urlparse(backend_url(ObjectStorePaths(tmp_path, 5000), bucket="state"))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (url.scheme, url.netloc) == ("s3", "state")
    assert query == {"endpoint": "http://127.0.0.1:13080", "use_path_style": "true", "region": "us-east-1"}


def test_each_operator_gets_a_secret_once_in_a_file_only_its_owner_reads(tmp_path):
    paths = ObjectStorePaths(tmp_path)
    first = _operators(paths, ("alice",))
    both = _operators(paths, ("alice", "bob"))
    assert both["alice"] == first["alice"] and both["bob"] != both["alice"]
    assert stat.S_IMODE(paths.operators_file.stat().st_mode) == 0o600
    assert json.loads(paths.operators_file.read_text()) == both
    assert operator_env(paths, "bob") == {"AWS_ACCESS_KEY_ID": "govcloud:bob", "AWS_SECRET_ACCESS_KEY": both["bob"],
                                          "AWS_REGION": "us-east-1"}
