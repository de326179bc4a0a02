"""The access decorators, under the name the rooms import them by.

They are defined in :mod:`node.members.access`, beside the member they load: node.members builds
on nothing of node.auth, and node.auth builds on the members.
"""

from node.members.access import member_required, officer_required, organiser_required, public

__all__ = ["member_required", "officer_required", "organiser_required", "public"]
