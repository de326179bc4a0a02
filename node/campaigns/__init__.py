"""Campaigns and their actions: what the group is fighting for, and what members can do about it."""
