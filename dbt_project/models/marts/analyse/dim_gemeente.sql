-- The gemeenten the sources name, with their CBS code and whether the VH works for them.
select
    gemeente,
    min(cbs_code) as cbs_code,
    bool_or(in_district) as in_district,
    string_agg(distinct naam_in_bron, ', ' order by naam_in_bron) as namen_in_bronnen
from {{ ref('gemeenten') }}
group by gemeente
