"""Rectification follow-up: items and their states (items), the reminder policy, working days and holidays, and
the outbox that plans and sends notifications through whichever messenger a person is linked on."""
