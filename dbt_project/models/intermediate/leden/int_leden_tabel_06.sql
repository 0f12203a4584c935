-- The clients behind each cell of Table 6: one traject per client with a short traject
-- running in the report year, by doelgroep and gemeente.
{{ traject_members('6', 'kort') }}
