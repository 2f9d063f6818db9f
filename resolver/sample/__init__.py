"""`resolver sample`: realistic multi-source customer data with ground truth."""
