"""Collecting data with the tool's own survey links.

Between storage/io and services: questionnaires from the catalogue and the question bank,
personal links (only token hashes are stored), invitations and reminders by e-mail through an
outbox, the respondent's answers stored as ordinary measurements through the importer's
validation, response tracking, and retention of contact data. No Flask and no click here.
"""
