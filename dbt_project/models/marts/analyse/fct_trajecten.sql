-- One row per traject or plan van aanpak in the district, with start and end, every year loaded.
select
    {{ surrogate_key('traject_id') }} as traject_sleutel,
    bron,
    categorie,
    soort,
    doelgroep,
    gemeente,
    stadsdeel,
    stadsdeelgroep,
    startdatum,
    einddatum,
    cast(extract(year from startdatum) as integer) as startjaar,
    einddatum is null as loopt_nog
from {{ ref('int_trajecten') }}
