"""Open days (开放日): events with seats, registration first come or by lottery, decisions, check-in."""
