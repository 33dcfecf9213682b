"""Precise supervision (精准监督): the register of reporting tasks pushed down to towns and
villages, burden checks against the data hub's catalogue, the annual inspection plan, warnings
to issuing units and the discipline commission's formalism cases."""
