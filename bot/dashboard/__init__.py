"""The dashboard's domain side: sign-in, who sees what, and the figures its pages show."""
