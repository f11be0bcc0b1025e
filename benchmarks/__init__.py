"""Scripts that print figures (speed, crash safety); not part of the test run."""
