"""Questionnaires (问卷调查 / 民意调查): built by editors, reviewed before they open, answered by the public."""
