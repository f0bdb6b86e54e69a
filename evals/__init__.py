"""Evaluations: harness, vendored data sets and reports; separate from the tests."""
