"""Benchmarks that print figures (`guidebot bench index|answer|load|scale|gaps`), above what they measure."""
