"""The `urbsim` command line: a thin client of `sim`, `experiments` and `dashboard`."""
