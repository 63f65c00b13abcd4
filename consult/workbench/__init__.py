"""The analysis workbench: a draft's comments analysed as a job into units that officials read and dispose of."""
