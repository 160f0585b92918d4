"""Microsoft Teams adapter: botbuilder on the wire, the neutral model inside.

Every botbuilder import stays in this package.
"""
