"""Run reports: tables (computed) apart from their rendering (terminal, HTML, JSON)."""
