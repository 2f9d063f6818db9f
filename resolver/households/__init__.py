"""Households: the individuals who live at one address unit, decided after the golden
records (an individual's household is by their current, surviving address).

assign.py links individuals into households, contacts.py by shared phones and emails,
moves.py through a former address; build.py attaches household IDs to the golden
records and writes the households table.
"""
