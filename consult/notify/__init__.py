"""Notifications: every e-mail is an outbox row written in the same transaction as its cause."""
