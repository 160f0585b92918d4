"""Customer issues (INC-n): status updates that reach every stakeholder."""
