"""Drafts for public comment (决策草案预公开): interpretation, per-article comments, moderation, feedback report."""
