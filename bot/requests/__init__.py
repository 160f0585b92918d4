"""Cross-department requests (PED-n): lifecycle, queues, cards."""
