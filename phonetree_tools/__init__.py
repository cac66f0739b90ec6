"""Tools around a phone tree: the simulated caller, the terminal caller, the diagram, commands.

None of them is needed to serve calls. The simulated caller speaks only Twilio's protocol::

    from phonetree_tools.caller import SimulatedCall
"""
