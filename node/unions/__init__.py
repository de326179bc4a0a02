"""Unions and workplaces: the union network of a group, and members who are reps or stewards."""
