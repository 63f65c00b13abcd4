"""Accounts: departments, users, roles, login and password reset."""
