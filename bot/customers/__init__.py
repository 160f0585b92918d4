"""External customers: who they are, one view of them, and churn-risk flags."""
