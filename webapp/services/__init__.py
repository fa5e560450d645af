"""Business rules: functions taking plain values and the acting user; they flush, never commit."""
