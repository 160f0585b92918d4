"""What every domain's commands share: the registry that collects them
(registry), the token grammar (grammar), due dates (dates) and reply helpers
(replies). Each domain's own words, parser, handlers, buttons and forms live
in its package; bot.domains registers them.
"""
