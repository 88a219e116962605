"""Conduit: Cloud Run to private Cloud SQL through a Serverless VPC Access connector, guarded."""
