class StatisticalTruecaser:  # placeholder
    pass
