-- The clients behind each cell of Table 7: one plan per client with a plan van aanpak
-- running in the report year, by doelgroep and gemeente.
{{ traject_members('7', 'lang') }}
