"""Writes rasx_map_3_profiles.rasx: a Rigaku RASX zip with three profiles (a small "map") whose
measurement conditions differ only in the stage position, to check that file-level metadata is
kept once (issue #13, class 13). python3 make_rasx_map.py. Test-fixture generator only.
"""
import zipfile

root = '<?xml version="1.0" encoding="utf-8"?><RootInformation><Name>map</Name><Comment>' + "x" * 2000 + '</Comment></RootInformation>'
with zipfile.ZipFile("rasx_map_3_profiles.rasx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo("root.xml", (2024, 1, 1, 0, 0, 0)), root)
    for k in range(3):
        profile = "".join(f"{20 + 0.5 * i:.2f}\t{100 * (k + 1) + i}\t1\r\n" for i in range(10))
        z.writestr(zipfile.ZipInfo(f"Data0/Profile{k}.txt", (2024, 1, 1, 0, 0, 0)), "\ufeff" + profile)
        cond = ('<?xml version="1.0" encoding="utf-8"?><MeasurementConditions><GeneralInformation>'
                '<TargetName>Cu</TargetName><WavelengthKalpha1>1.540593</WavelengthKalpha1>'
                '<WavelengthKalpha2>1.544414</WavelengthKalpha2><Notes>' + "n" * 3000 + '</Notes>'
                f'<StageX>{k * 2.5}</StageX></GeneralInformation></MeasurementConditions>')
        z.writestr(zipfile.ZipInfo(f"Data0/MesurementConditions{k}.xml", (2024, 1, 1, 0, 0, 0)), cond)
