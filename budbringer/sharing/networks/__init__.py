"""The social networks people can share to: one module each, same shape.

To add a network, write a module with a ``NETWORK`` like the others and list it here.
"""

from . import email, facebook, linkedin, x, xing
from .base import Network

NETWORKS: dict[str, Network] = {
    module.NETWORK.slug: module.NETWORK for module in (linkedin, x, facebook, xing, email)
}
NETWORK_CHOICES = [(network.slug, network.label) for network in NETWORKS.values()]
# Where any share button's form may end up (the share view redirects to the network's
# dialog): the item page's CSP form-action.
DIALOG_SOURCES = sorted({source for n in NETWORKS.values() for source in n.dialog_sources})

__all__ = ["DIALOG_SOURCES", "NETWORKS", "NETWORK_CHOICES", "Network"]
