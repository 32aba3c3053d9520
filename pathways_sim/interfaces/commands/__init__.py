"""The commands of ``pathways-sim`` (registered on the one typer app in ``pathways_sim.interfaces.cli``)."""
