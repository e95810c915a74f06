"""Document types, one folder each: the model, context, Word template(s), sample, workbook sheets
and verify-page summary of a type (registered in sakip/doctypes.py)."""
