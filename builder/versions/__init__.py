"""Pure version logic: plans, ranges, applicable versions, ifversion conditions."""
