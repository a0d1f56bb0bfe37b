"""The network lab: the extranet of a province as network namespaces running FRR and sshd."""

from .generate import generate_province, write_generated_env
from .runtime import NetlabPaths, down, lab_namespaces, namespace, node_exec, read_lab, status, up, wait_converged

__all__ = ["NetlabPaths", "down", "generate_province", "lab_namespaces", "namespace", "node_exec", "read_lab", "status",
           "up", "wait_converged", "write_generated_env"]
