{#- One person across systems: the pseudonymised BSN, or else the pseudonym of name and birth date. -#}
{% macro person_key(persoon_sleutel='persoon_sleutel', naam_sleutel='naam_sleutel') -%}
    coalesce('bsn:' || {{ persoon_sleutel }}, 'naam:' || {{ naam_sleutel }})
{%- endmacro %}
