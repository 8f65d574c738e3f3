/**
 * EF codec vectors, each from a published source nobody here wrote (data, not code):
 * - osmocom pySim's test vectors: the `_test_de_encode` / `_test_decode` lists declared on its EF
 *   classes (pySim/ts_51_011.py, ts_31_102.py, ts_102_221.py): the hex and the meaning pySim gives
 *   it, transcribed into our field names. Where pySim uses one class for several EFs (EF_Kc for
 *   EF.KcGPRS, EF_xPLMNwAcT for the three PLMNwAcT files, EF_PLMNsel for EF.EHPLMN), the vector
 *   is listed under each, saying so;
 * - the file-system exports of two real cards in shared/fixtures/real-cards (pySim-shell `export`
 *   of a sysmoISIM-SJA2 and a sysmoSIM-GR1): the `update_binary` / `update_record` values, decoded
 *   by hand from the spec clause the codec cites (bit walks of the service tables checked again
 *   with an independent few lines of Python);
 * - the SIMtrace capture of that sysmoISIM-SJA2 in a phone (sysmoisim-sja2-gsmtap.pcapng): what
 *   the phone read, exchange numbers as `cardforge trace show` counts them.
 * `decodeOnly`: the content is not what our encoder writes for the same meaning (an FFFF AcT:
 * RFU bits set); decode must still give the meaning.
 */

export interface EfVector {
  readonly ef: string;
  readonly hex: string;
  readonly decoded: unknown;
  readonly source: string;
  readonly decodeOnly?: true;
}

/** Content the spec's coding cannot produce: decode throws a RangeError naming this offset. */
export interface EfGarbage {
  readonly ef: string;
  readonly hex: string;
  readonly offset: number;
  readonly why: string;
}

const pysim = (file: string, cls: string, note = ''): string => `osmocom pySim ${file} ${cls}._test_de_encode${note ? ` (${note})` : ''}`;
const SJA2 = (path: string): string => `sysmoISIM-SJA2 export (real card), sysmoisim-sja2-backup.script ${path}`;
const GR1 = (path: string): string => `sysmoSIM-GR1 export (real card), sysmosim-gr1-classic-backup.script ${path}`;
const PHONE = (n: number, what: string): string => `sysmoISIM-SJA2 in a phone, SIMtrace capture sysmoisim-sja2-gsmtap.pcapng exchange #${n} (${what})`;

const p = (mcc: string, mnc: string): { mcc: string; mnc: string } => ({ mcc, mnc });
const acc = (...n: number[]): { accessControlClasses: number[] } => ({ accessControlClasses: n });
const noAd = { cipheringIndicator: false, csgDisplayControl: false, proseServices: false, extendedDrx: false };
const ff = (n: number): string => 'ff'.repeat(n);
const unusedPlmnAct = 'ffffff0000'.repeat(11);
const ALL_ACT = ['UTRAN', 'E-UTRAN WB-S1', 'E-UTRAN NB-S1', 'NG-RAN', 'GSM', 'EC-GSM-IoT', 'GSM COMPACT', 'cdma2000 HRPD', 'cdma2000 1xRTT'];
const adm1 = { keyReference: 'ADM1', usageQualifier: '08' };
const intl = (number: string): { ton: string; npi: string; number: string } => ({ ton: 'international', npi: 'ISDN/telephony', number });
const SST_SJA2 = [1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 25, 26, 27, 29, 30, 35, 38, 43, 44, 45, 48, 51, 52];
const SST_GR1 = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 17, 18, 29];
const UST_SJA2 = [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 24, 25, 27, 28, 29, 32, 33, 34, 35, 38, 39, 40, 42, 43, 44, 45, 46, 51, 60, 71, 73, 85, 86, 87, 89, 90, 93, 94, 122, 123, 124, 126];
const smspNone = null;

export const EF_VECTORS: readonly EfVector[] = [
  // ---- MF (TS 102.221 §13) ----
  { ef: 'EF_ICCID', hex: '988812010000400310f0', decoded: { iccid: '8988211000000430010' }, source: pysim('ts_51_011.py', 'EF_ICCID') },
  { ef: 'EF_ICCID', hex: '988812010000407643f3', decoded: { iccid: '8988211000000467343' }, source: SJA2('MF/EF.ICCID') },
  { ef: 'EF_ICCID', hex: '988812010000405600f8', decoded: { iccid: '8988211000000465008' }, source: PHONE(3, 'READ BINARY of 2FE2') },
  { ef: 'EF_ICCID', hex: '222233445566778899f0', decoded: { iccid: '2222334455667788990' }, source: GR1('MF/EF.ICCID') },
  { ef: 'EF_DIR', hex: '61294f10a0000000871002ffffffff890709000050055553696d31730ea00c80011781025f608203454150', decoded: { aid: 'a0000000871002ffffffff8907090000', label: 'USim1', discretionaryTemplate: 'a00c80011781025f608203454150' }, source: pysim('ts_102_221.py', 'EF_DIR') },
  { ef: 'EF_DIR', hex: '61194f10a0000000871004ffffffff890709000050054953696d31', decoded: { aid: 'a0000000871004ffffffff8907090000', label: 'ISim1' }, source: pysim('ts_102_221.py', 'EF_DIR') },
  { ef: 'EF_DIR', hex: `61194f10a0000000871004ffffffff890709000050054953696d31${ff(16)}`, decoded: { aid: 'a0000000871004ffffffff8907090000', label: 'ISim1' }, source: PHONE(9, 'READ RECORD 2 of 2F00') },
  { ef: 'EF_DIR', hex: ff(43), decoded: null, source: PHONE(10, 'READ RECORD 3 of 2F00, an empty record') },
  { ef: 'EF_ARR', hex: '800101a40683010a950108800106900080016097008401d4a40683010a950108', decoded: [{ accessMode: ['read'], conditions: [adm1] }, { accessMode: ['update', 'write'], conditions: ['always'] }, { accessMode: ['terminate', 'delete'], conditions: ['never'] }, { command: { ins: 'd4' }, conditions: [adm1] }], source: pysim('ts_102_221.py', 'EF_ARR') },
  { ef: 'EF_ARR', hex: '80010190008001029700800118a40683010a9501088401d4a40683010a950108', decoded: [{ accessMode: ['read'], conditions: ['always'] }, { accessMode: ['update'], conditions: ['never'] }, { accessMode: ['deactivate', 'activate'], conditions: [adm1] }, { command: { ins: 'd4' }, conditions: [adm1] }], source: pysim('ts_102_221.py', 'EF_ARR') },
  { ef: 'EF_ARR', hex: `800101a40683010195010880011aa40683010a9501088401d4a40683010a950108${ff(77)}`, decoded: [{ accessMode: ['read'], conditions: [{ keyReference: 'PIN Appl 1', usageQualifier: '08' }] }, { accessMode: ['update', 'deactivate', 'activate'], conditions: [adm1] }, { command: { ins: 'd4' }, conditions: [adm1] }], source: SJA2('MF/EF.ARR record 3') },
  { ef: 'EF_ARR', hex: `8001019000800102a406830101950108800118a40683010a9501088401d4a40683010a950108${ff(72)}`, decoded: [{ accessMode: ['read'], conditions: ['always'] }, { accessMode: ['update'], conditions: [{ keyReference: 'PIN Appl 1', usageQualifier: '08' }] }, { accessMode: ['deactivate', 'activate'], conditions: [adm1] }, { command: { ins: 'd4' }, conditions: [adm1] }], source: SJA2('MF/EF.ARR record 5') },
  { ef: 'EF_UMPC', hex: '3cff02', decoded: { maxCurrent: 60, tOp: 255, additionalInformation: { increasedIdleCurrent: false, uiccSuspend: true } }, source: pysim('ts_102_221.py', 'EF_UMPC') },
  { ef: 'EF_UMPC', hex: '320500', decoded: { maxCurrent: 50, tOp: 5, additionalInformation: { increasedIdleCurrent: false, uiccSuspend: false } }, source: pysim('ts_102_221.py', 'EF_UMPC') },
  { ef: 'EF_UMPC', hex: '3cff02ffff', decoded: { maxCurrent: 60, tOp: 255, additionalInformation: { increasedIdleCurrent: false, uiccSuspend: true }, rfu: 'ffff' }, source: SJA2('MF/EF.UMPC') },
  { ef: 'EF_PL', hex: '6465', decoded: { languages: ['de'] }, source: pysim('ts_51_011.py', 'EF_PL') },
  { ef: 'EF_PL', hex: 'ffff', decoded: { languages: [] }, source: pysim('ts_51_011.py', 'EF_PL') },
  { ef: 'EF_PL', hex: '656e64657275ffffffff', decoded: { languages: ['en', 'de', 'ru'] }, source: pysim('ts_51_011.py', 'EF_PL') },
  { ef: 'EF_PL', hex: ff(10), decoded: { languages: [] }, source: SJA2('MF/EF.PL') },

  // ---- DF_GSM / ADF_USIM ----
  { ef: 'EF_IMSI', hex: '082982608200002080', decoded: { imsi: '228062800000208' }, source: pysim('ts_51_011.py', 'EF_IMSI') },
  { ef: 'EF_IMSI', hex: '082926101160845740', decoded: { imsi: '262011106487504' }, source: pysim('ts_51_011.py', 'EF_IMSI') },
  { ef: 'EF_IMSI', hex: '080910100000001020', decoded: { imsi: '001010000000102' }, source: SJA2('MF/ADF.USIM/EF.IMSI') },
  { ef: 'EF_IMSI', hex: '089910070000407643', decoded: { imsi: '901700000046734' }, source: PHONE(34, 'READ BINARY of ADF_USIM 6F07') },
  { ef: 'EF_AD', hex: '00ffff', decoded: { msOperationMode: 'normal', additionalInformation: { cipheringIndicator: true, csgDisplayControl: true, proseServices: true, extendedDrx: true, rfu: 0xfff0 } }, source: pysim('ts_51_011.py', 'EF_AD', 'pySim: rfu1 255, rfu2 127, ofm true') },
  { ef: 'EF_AD', hex: '00000002', decoded: { msOperationMode: 'normal', additionalInformation: noAd, mncLength: 2 }, source: pysim('ts_31_102.py', 'EF_AD') },
  { ef: 'EF_AD', hex: '01000102', decoded: { msOperationMode: 'normal and specific facilities', additionalInformation: { ...noAd, cipheringIndicator: true }, mncLength: 2 }, source: pysim('ts_31_102.py', 'EF_AD') },
  { ef: 'EF_AD', hex: '000000', decoded: { msOperationMode: 'normal', additionalInformation: noAd }, source: GR1('MF/DF.GSM/EF.AD') },
  { ef: 'EF_SPN', hex: '0147534d2d52204348ffffffffffffffff', decoded: { displayCondition: { registeredPlmnNameRequired: true, spnNotRequiredOutsideHome: false }, serviceProviderName: 'GSM-R CH' }, source: pysim('ts_51_011.py', 'EF_SPN') },
  { ef: 'EF_SPN', hex: '034d61676963ffffffffffffffffffffff', decoded: { displayCondition: { registeredPlmnNameRequired: true, spnNotRequiredOutsideHome: true }, serviceProviderName: 'Magic' }, source: SJA2('MF/ADF.USIM/EF.SPN') },
  { ef: 'EF_ACC', hex: '0000', decoded: acc(), source: pysim('ts_51_011.py', 'EF_ACC') },
  { ef: 'EF_ACC', hex: '0001', decoded: acc(0), source: pysim('ts_51_011.py', 'EF_ACC') },
  { ef: 'EF_ACC', hex: '0100', decoded: acc(8), source: pysim('ts_51_011.py', 'EF_ACC') },
  { ef: 'EF_ACC', hex: '8000', decoded: acc(15), source: pysim('ts_51_011.py', 'EF_ACC') },
  { ef: 'EF_ACC', hex: '802b', decoded: acc(0, 1, 3, 5, 15), source: pysim('ts_51_011.py', 'EF_ACC') },
  { ef: 'EF_ACC', hex: '0010', decoded: acc(4), source: SJA2('MF/ADF.USIM/EF.ACC') },
  { ef: 'EF_ACC', hex: '0008', decoded: acc(3), source: GR1('MF/DF.GSM/EF.ACC') },
  { ef: 'EF_LOCI', hex: '7802570222f81009780000', decoded: { tmsi: '78025702', lai: { ...p('228', '01'), lac: '0978' }, tmsiTime: 0, locationUpdateStatus: 'updated' }, source: pysim('ts_51_011.py', 'EF_LOCI') },
  { ef: 'EF_LOCI', hex: '47d1264a62f21037211e00', decoded: { tmsi: '47d1264a', lai: { ...p('262', '01'), lac: '3721' }, tmsiTime: 30, locationUpdateStatus: 'updated' }, source: pysim('ts_31_102.py', 'EF_LOCI', 'pySim: rfu 30, lu_status 0') },
  { ef: 'EF_LOCI', hex: 'ffffffff62f2200000ff01', decoded: { tmsi: 'ffffffff', lai: { ...p('262', '02'), lac: '0000' }, tmsiTime: 255, locationUpdateStatus: 'not updated' }, source: pysim('ts_31_102.py', 'EF_LOCI') },
  { ef: 'EF_LOCI', hex: 'ffffffffffffff0000ff01', decoded: { tmsi: 'ffffffff', lai: { ...p('fff', 'ff'), lac: '0000' }, tmsiTime: 255, locationUpdateStatus: 'not updated' }, source: SJA2('MF/ADF.USIM/EF.LOCI') },
  { ef: 'EF_LOCI', hex: '9d18d3ee00f1302037ff00', decoded: { tmsi: '9d18d3ee', lai: { ...p('001', '03'), lac: '2037' }, tmsiTime: 255, locationUpdateStatus: 'updated' }, source: GR1('MF/DF.GSM/EF.LOCI') },
  { ef: 'EF_LOCI', hex: 'fffffffffffffffffeff03', decoded: { tmsi: 'ffffffff', lai: { ...p('fff', 'ff'), lac: 'fffe' }, tmsiTime: 255, locationUpdateStatus: 'location area not allowed' }, source: PHONE(38, 'READ BINARY of ADF_USIM 6F7E') },
  { ef: 'EF_PSLOCI', hex: 'ffffffffffffffffff000000ff01', decoded: { pTmsi: 'ffffffff', pTmsiSignature: 'ffffff', rai: { ...p('fff', '00'), lac: '0000', rac: 'ff' }, routingAreaUpdateStatus: 'not updated' }, source: SJA2('MF/ADF.USIM/EF.PSLOCI') },
  { ef: 'EF_PSLOCI', hex: 'ffffffffffffffffff00fffeff02', decoded: { pTmsi: 'ffffffff', pTmsiSignature: 'ffffff', rai: { ...p('fff', '00'), lac: 'fffe', rac: 'ff' }, routingAreaUpdateStatus: 'PLMN not allowed' }, source: PHONE(40, 'READ BINARY of ADF_USIM 6F73') },
  { ef: 'EF_LOCIGPRS', hex: 'ffffffffffffff22f8990000ff01', decoded: { pTmsi: 'ffffffff', pTmsiSignature: 'ffffff', rai: { ...p('228', '99'), lac: '0000', rac: 'ff' }, routingAreaUpdateStatus: 'not updated' }, source: pysim('ts_51_011.py', 'EF_LOCIGPRS') },
  { ef: 'EF_LOCIGPRS', hex: 'ffffffffffffffffff000000ff01', decoded: { pTmsi: 'ffffffff', pTmsiSignature: 'ffffff', rai: { ...p('fff', '00'), lac: '0000', rac: 'ff' }, routingAreaUpdateStatus: 'not updated' }, source: SJA2('MF/DF.GSM/EF.LOCIGPRS') },
  { ef: 'EF_EPSLOCI', hex: 'ffffffffffffffffffffffffffffff000001', decoded: { guti: null, lastVisitedRegisteredTai: { ...p('fff', 'ff'), tac: '0000' }, epsUpdateStatus: 'not updated' }, source: SJA2('MF/ADF.USIM/EF.EPSLOCI') },
  { ef: 'EF_EPSLOCI', hex: '0bf6fffffffffffffffffffffffffffffe01', decoded: { guti: { ...p('fff', 'ff'), mmeGroupId: 'ffff', mmeCode: 'ff', mTmsi: 'ffffffff' }, lastVisitedRegisteredTai: { ...p('fff', 'ff'), tac: 'fffe' }, epsUpdateStatus: 'not updated' }, source: PHONE(44, 'READ BINARY of ADF_USIM 6FE3') },
  { ef: 'EF_Kc', hex: '837d783609a3858f05', decoded: { kc: '837d783609a3858f', cksn: 5 }, source: pysim('ts_51_011.py', 'EF_Kc') },
  { ef: 'EF_Kc', hex: 'ffffffffffffffff07', decoded: { kc: 'ffffffffffffffff', cksn: 7 }, source: SJA2('MF/ADF.USIM/DF.GSM-ACCESS/EF.Kc') },
  { ef: 'EF_Kc', hex: '62c38e4dd20a200007', decoded: { kc: '62c38e4dd20a2000', cksn: 7 }, source: GR1('MF/DF.GSM/EF.Kc') },
  { ef: 'EF_KcGPRS', hex: '837d783609a3858f05', decoded: { kc: '837d783609a3858f', cksn: 5 }, source: pysim('ts_51_011.py', 'EF_Kc', 'the class pySim declares EF.KcGPRS with, ts_51_011.py DF_GSM and ts_31_102.py DF_GSM_ACCESS') },
  { ef: 'EF_KcGPRS', hex: 'ffffffffffffffff07', decoded: { kc: 'ffffffffffffffff', cksn: 7 }, source: SJA2('MF/ADF.USIM/DF.GSM-ACCESS/EF.KcGPRS') },
  { ef: 'EF_Keys', hex: `07${ff(32)}`, decoded: { ksi: 7, ck: ff(16), ik: ff(16) }, source: SJA2('MF/ADF.USIM/EF.Keys') },
  { ef: 'EF_KeysPS', hex: `07${ff(32)}`, decoded: { ksi: 7, ck: ff(16), ik: ff(16) }, source: SJA2('MF/ADF.USIM/EF.KeysPS') },
  { ef: 'EF_PLMNsel', hex: '22f860', decoded: [p('228', '06')], source: pysim('ts_51_011.py', 'EF_PLMNsel') },
  { ef: 'EF_PLMNsel', hex: '330420', decoded: [p('334', '020')], source: pysim('ts_51_011.py', 'EF_PLMNsel') },
  { ef: 'EF_PLMNsel', hex: `00f110${ff(57)}`, decoded: [p('001', '01')], source: SJA2('MF/DF.GSM/EF.PLMNsel') },
  { ef: 'EF_FPLMN', hex: '62f23062f27062f21062f220', decoded: [p('262', '03'), p('262', '07'), p('262', '01'), p('262', '02')], source: GR1('MF/DF.GSM/EF.FPLMN') },
  { ef: 'EF_FPLMN', hex: '62f21062f22062f230ffffff', decoded: [p('262', '01'), p('262', '02'), p('262', '03')], source: PHONE(88, 'READ BINARY of ADF_USIM 6F7B') },
  { ef: 'EF_EHPLMN', hex: '22f860', decoded: [p('228', '06')], source: pysim('ts_51_011.py', 'EF_PLMNsel', 'the class pySim declares EF.EHPLMN with, ts_31_102.py ADF_USIM') },
  { ef: 'EF_EHPLMN', hex: `00f110${ff(9)}`, decoded: [p('001', '01')], source: SJA2('MF/ADF.USIM/EF.EHPLMN') },
  ...['EF_PLMNwAcT', 'EF_OPLMNwAcT', 'EF_HPLMNwAcT'].flatMap((ef): EfVector[] => [
    { ef, hex: '62f2104000', decoded: [{ ...p('262', '01'), accessTechnologies: ['E-UTRAN WB-S1', 'E-UTRAN NB-S1'] }], source: pysim('ts_51_011.py', 'EF_xPLMNwAcT', `the class pySim declares ${ef.replace('_', '.')} with`) },
    { ef, hex: '62f2108000', decoded: [{ ...p('262', '01'), accessTechnologies: ['UTRAN'] }], source: pysim('ts_51_011.py', 'EF_xPLMNwAcT', `the class pySim declares ${ef.replace('_', '.')} with`) },
    { ef, hex: '62f220488c', decoded: [{ ...p('262', '02'), accessTechnologies: ['E-UTRAN WB-S1', 'E-UTRAN NB-S1', 'NG-RAN', 'GSM', 'EC-GSM-IoT'] }], source: pysim('ts_51_011.py', 'EF_xPLMNwAcT', `the class pySim declares ${ef.replace('_', '.')} with`) },
    { ef, hex: `00f110ffff${unusedPlmnAct}`, decoded: [{ ...p('001', '01'), accessTechnologies: ALL_ACT }], source: SJA2(`MF/ADF.USIM/${ef.replace('_', '.')}`), decodeOnly: true },
  ]),
  { ef: 'EF_HPPLMN', hex: '05', decoded: { searchPeriod: 5 }, source: pysim('ts_31_102.py', 'EF_HPPLMN') },
  { ef: 'EF_HPPLMN', hex: '50', decoded: { searchPeriod: 80 }, source: GR1('MF/DF.GSM/EF.HPPLMN') },
  { ef: 'EF_ACMmax', hex: '000000', decoded: { acmMax: 0 }, source: pysim('ts_51_011.py', 'EF_ACMmax') },
  { ef: 'EF_ACM', hex: '000000', decoded: { acm: 0 }, source: SJA2('MF/ADF.USIM/EF.ACM record 1') },
  { ef: 'EF_PUCT', hex: 'ffffff0000', decoded: { currencyCode: null, eppu: 0, ex: 0 }, source: SJA2('MF/ADF.USIM/EF.PUCT') },
  { ef: 'EF_SST', hex: 'ff33ffff3f003f0f300cf0c3f00000', decoded: { allocated: SST_SJA2, activated: SST_SJA2 }, source: SJA2('MF/DF.GSM/EF.SST') },
  { ef: 'EF_SST', hex: 'ff3fff0f0f0000030000', decoded: { allocated: SST_GR1, activated: SST_GR1 }, source: GR1('MF/DF.GSM/EF.SST') },
  { ef: 'EF_UST', hex: 'beff9f9de73e0408400170330000002e00000000', decoded: { available: UST_SJA2 }, source: SJA2('MF/ADF.USIM/EF.UST') },
  { ef: 'EF_EST', hex: '000000000000000000', decoded: { enabled: [] }, source: SJA2('MF/ADF.USIM/EF.EST') },
  { ef: 'EF_GID1', hex: ff(10), decoded: { groupIdentifier: '' }, source: SJA2('MF/ADF.USIM/EF.GID1') },
  { ef: 'EF_GID2', hex: ff(10), decoded: { groupIdentifier: '' }, source: SJA2('MF/ADF.USIM/EF.GID2') },
  { ef: 'EF_Phase', hex: '03', decoded: { phase: 3 }, source: SJA2('MF/DF.GSM/EF.Phase') },
  { ef: 'EF_LP', hex: '24', decoded: { languageCodes: [0x24] }, source: pysim('ts_51_011.py', 'EF_LP') },
  { ef: 'EF_LP', hex: '01ffffff', decoded: { languageCodes: [1] }, source: GR1('MF/DF.GSM/EF.LP') },
  { ef: 'EF_LP', hex: ff(5), decoded: { languageCodes: [] }, source: SJA2('MF/DF.GSM/EF.LP') },
  { ef: 'EF_LI', hex: ff(10), decoded: { languages: [] }, source: SJA2('MF/ADF.USIM/EF.LI') },
  { ef: 'EF_BCCH', hex: '8fb68000000000000000000000000000', decoded: { bcchInformation: '8fb68000000000000000000000000000' }, source: GR1('MF/DF.GSM/EF.BCCH') },
  { ef: 'EF_ECC', hex: '19f1ff01', decoded: { emergencyCallCode: '911', emergencyServiceCategory: ['police'] }, source: pysim('ts_31_102.py', 'EF_ECC') },
  { ef: 'EF_ECC', hex: '19f3ff02', decoded: { emergencyCallCode: '913', emergencyServiceCategory: ['ambulance'] }, source: pysim('ts_31_102.py', 'EF_ECC') },
  { ef: 'EF_ECC', hex: `${ff(15)}00`, decoded: { emergencyCallCode: '', alphaIdentifier: '', emergencyServiceCategory: [] }, source: SJA2('MF/ADF.USIM/EF.ECC record 1') },
  { ef: 'EF_START-HFN', hex: 'f00000f00000', decoded: { startCs: 0xf00000, startPs: 0xf00000 }, source: pysim('ts_31_102.py', 'EF_START_HFN') },
  { ef: 'EF_START-HFN', hex: '000000000000', decoded: { startCs: 0, startPs: 0 }, source: PHONE(52, 'READ BINARY of ADF_USIM 6F5B') },
  { ef: 'EF_THRESHOLD', hex: 'f01000', decoded: { maxStart: 0xf01000 }, source: pysim('ts_31_102.py', 'EF_THRESHOLD') },
  { ef: 'EF_THRESHOLD', hex: 'ffffff', decoded: { maxStart: 0xffffff }, source: SJA2('MF/ADF.USIM/EF.THRESHOLD') },
  { ef: 'EF_EHPLMNPI', hex: '00', decoded: { presentationIndication: 'no preference' }, source: pysim('ts_31_102.py', 'EF_EHPLMNPI') },
  { ef: 'EF_EHPLMNPI', hex: '02', decoded: { presentationIndication: 'display all EHPLMNs' }, source: pysim('ts_31_102.py', 'EF_EHPLMNPI') },

  // ---- DF_TELECOM and the phone book ----
  { ef: 'EF_ADN', hex: '42204841203120536963ffffffffffff06810628560810ffffffffffffff', decoded: { alphaIdentifier: 'B HA 1 Sic', diallingNumber: { ton: 'unknown', npi: 'ISDN/telephony', number: '6082658001' }, ccpRecordId: null, ext1RecordId: null }, source: pysim('ts_51_011.py', 'EF_ADN') },
  { ef: 'EF_ADN', hex: '4b756e64656e626574726575756e67ff0791947112122721ffffffffffff', decoded: { alphaIdentifier: 'Kundenbetreuung', diallingNumber: intl('491721217212'), ccpRecordId: null, ext1RecordId: null }, source: pysim('ts_51_011.py', 'EF_ADN') },
  { ef: 'EF_MSISDN', hex: `${ff(20)}04b12143f5${ff(9)}`, decoded: { alphaIdentifier: '', diallingNumber: { ton: 'network specific', npi: 'ISDN/telephony', number: '12345' }, ccpRecordId: null, ext1RecordId: null }, source: pysim('ts_51_011.py', 'EF_MSISDN') },
  { ef: 'EF_MSISDN', hex: '456967656e65205275666e756d6d6572ffffffff0891947172199181f3ffffffffff', decoded: { alphaIdentifier: 'Eigene Rufnummer', diallingNumber: intl('4917279119183'), ccpRecordId: null, ext1RecordId: null }, source: pysim('ts_51_011.py', 'EF_MSISDN') },
  { ef: 'EF_MSISDN', hex: `${ff(20)}05b1766662f6${ff(8)}`, decoded: { alphaIdentifier: '', diallingNumber: { ton: 'network specific', npi: 'ISDN/telephony', number: '6766266' }, ccpRecordId: null, ext1RecordId: null }, source: SJA2('MF/ADF.USIM/EF.MSISDN record 1') },
  { ef: 'EF_SMSP', hex: '534d5343ffffffffffffffffffffffffe1ffffffffffffffffffffffff0891945197109099f9ffffff0000a9', decoded: { alphaIdentifier: 'SMSC', parameterIndicators: { destinationAddress: false, serviceCentreAddress: true, protocolIdentifier: true, dataCodingScheme: true, validityPeriod: true }, destinationAddress: smspNone, serviceCentreAddress: intl('4915790109999'), protocolIdentifier: 0, dataCodingScheme: 0, validityPeriodMinutes: 4320 }, source: pysim('ts_51_011.py', 'EF_SMSP') },
  { ef: 'EF_SMSP', hex: 'e1ffffffffffffffffffffffff0891945197109099f9ffffff0000a9', decoded: { alphaIdentifier: '', parameterIndicators: { destinationAddress: false, serviceCentreAddress: true, protocolIdentifier: true, dataCodingScheme: true, validityPeriod: true }, destinationAddress: smspNone, serviceCentreAddress: intl('4915790109999'), protocolIdentifier: 0, dataCodingScheme: 0, validityPeriodMinutes: 4320 }, source: pysim('ts_51_011.py', 'EF_SMSP') },
  { ef: 'EF_SMSP', hex: '454e6574776f726b73fffffffffffffff1ffffffffffffffffffffffffffffffffffffffffffffffff0000a7', decoded: { alphaIdentifier: 'ENetworks', parameterIndicators: { destinationAddress: false, serviceCentreAddress: true, protocolIdentifier: true, dataCodingScheme: true, validityPeriod: false }, destinationAddress: smspNone, serviceCentreAddress: smspNone, protocolIdentifier: 0, dataCodingScheme: 0, validityPeriodMinutes: 1440 }, source: pysim('ts_51_011.py', 'EF_SMSP') },
  { ef: 'EF_SMSP', hex: 'fffffffffffffffffffffffffffffffffffffffffffffffffdffffffffffffffffffffffff07919403214365f7ffffffffffffff', decoded: { alphaIdentifier: '', parameterIndicators: { destinationAddress: false, serviceCentreAddress: true, protocolIdentifier: false, dataCodingScheme: false, validityPeriod: false }, destinationAddress: smspNone, serviceCentreAddress: intl('49301234567'), protocolIdentifier: 255, dataCodingScheme: 255, validityPeriodMinutes: 635040 }, source: pysim('ts_51_011.py', 'EF_SMSP') },
  { ef: 'EF_SMSP', hex: 'fffffffffffffffffffffffffffffffffffffffffffffffffc0b919403214365f7ffffffff07919403214365f7ffffffffffffff', decoded: { alphaIdentifier: '', parameterIndicators: { destinationAddress: true, serviceCentreAddress: true, protocolIdentifier: false, dataCodingScheme: false, validityPeriod: false }, destinationAddress: intl('49301234567'), serviceCentreAddress: intl('49301234567'), protocolIdentifier: 255, dataCodingScheme: 255, validityPeriodMinutes: 635040 }, source: pysim('ts_51_011.py', 'EF_SMSP') },
  { ef: 'EF_SMSP', hex: `${ff(24)}e1${ff(12)}0581005155f5ffffffffffff000000`, decoded: { alphaIdentifier: '', parameterIndicators: { destinationAddress: false, serviceCentreAddress: true, protocolIdentifier: true, dataCodingScheme: true, validityPeriod: true }, destinationAddress: smspNone, serviceCentreAddress: { ton: 'unknown', npi: 'ISDN/telephony', number: '0015555' }, protocolIdentifier: 0, dataCodingScheme: 0, validityPeriodMinutes: 5 }, source: SJA2('MF/ADF.USIM/EF.SMSP record 1') },
  { ef: 'EF_PBR', hex: 'a80ac0034f3a02c5034f0904aa0acb034f3d07c2034f4a06', decoded: [{ type: 1, files: [{ file: 'EF_ADN', fid: '4f3a', sfi: 2 }, { file: 'EF_PBC', fid: '4f09', sfi: 4 }] }, { type: 3, files: [{ file: 'EF_CCP1', fid: '4f3d', sfi: 7 }, { file: 'EF_EXT1', fid: '4f4a', sfi: 6 }] }], source: 'osmocom pySim ts_31_102_telecom.py EF_PBR (the example record in its TODO comment)' },
  { ef: 'EF_PBR', hex: 'a81ec0034f3a01c1034f3202c3034f5414c5034f0904c6034f5212c9034f2109a90ac4034f1108ca034f500daa14c2034f4a03c7034f4b06c8034f5313cb034f4f16ffffff', decoded: [
    { type: 1, files: [{ file: 'EF_ADN', fid: '4f3a', sfi: 1 }, { file: 'EF_IAP', fid: '4f32', sfi: 2 }, { file: 'EF_SNE', fid: '4f54', sfi: 0x14 }, { file: 'EF_PBC', fid: '4f09', sfi: 4 }, { file: 'EF_GRP', fid: '4f52', sfi: 0x12 }, { file: 'EF_UID', fid: '4f21', sfi: 9 }] },
    { type: 2, files: [{ file: 'EF_ANR', fid: '4f11', sfi: 8 }, { file: 'EF_EMAIL', fid: '4f50', sfi: 0x0d }] },
    { type: 3, files: [{ file: 'EF_EXT1', fid: '4f4a', sfi: 3 }, { file: 'EF_AAS', fid: '4f4b', sfi: 6 }, { file: 'EF_GAS', fid: '4f53', sfi: 0x13 }, { file: 'EF_CCP1', fid: '4f4f', sfi: 0x16 }] },
  ], source: SJA2('MF/DF.TELECOM/DF.PHONEBOOK/EF.PBR record 1') },
];

export const EF_GARBAGE: readonly EfGarbage[] = [
  { ef: 'EF_MSISDN', hex: `ff0791942143658709${ff(25)}`, offset: 1, why: `${PHONE(127, 'READ RECORD 1 of ADF_USIM 6F40')}: a number written one byte into the 20-byte alpha identifier` },
  { ef: 'EF_IMSI', hex: '092982608200002080', offset: 0, why: 'a length byte of 9: the 9-byte file has room for 8' },
  { ef: 'EF_IMSI', hex: '082182608200002080', offset: 8, why: 'parity nibble says even (1) but 15 digits follow' },
  { ef: 'EF_IMSI', hex: '0829826082000020a0', offset: 8, why: 'nibble A in a digit' },
  { ef: 'EF_ICCID', hex: '98881201000040031a0f', offset: 8, why: 'nibble A in a digit' },
  { ef: 'EF_ICCID', hex: '98881201000040f310f0', offset: 8, why: 'a digit after the F end mark' },
  { ef: 'EF_PLMNsel', hex: '22f86000', offset: 3, why: 'a PLMN list of 4 bytes (entries are 3)' },
  { ef: 'EF_PLMNwAcT', hex: '62f2104000ff', offset: 5, why: 'a PLMNwAcT list of 6 bytes (entries are 5)' },
  { ef: 'EF_AD', hex: '03000002', offset: 0, why: 'operation mode 03 is not defined' },
  { ef: 'EF_AD', hex: '00000004', offset: 3, why: 'MNC length 4' },
  { ef: 'EF_SPN', hex: '014d61676963ff41ffffffffffffffffff', offset: 7, why: 'a character after the FF padding' },
  { ef: 'EF_SPN', hex: '044d61676963ffffffffffffffffffffff', offset: 0, why: 'RFU bit b3 set in the display condition' },
  { ef: 'EF_LOCI', hex: 'ffffffffffffff0000ff05', offset: 10, why: 'location update status 5 is RFU' },
  { ef: 'EF_Kc', hex: '837d783609a3858f15', offset: 8, why: 'CKSN byte with b5 set' },
  { ef: 'EF_DIR', hex: '61294f10a0000000871002ffffffff8907090000500555', offset: 1, why: 'template 61 says 41 bytes, 21 follow' },
  { ef: 'EF_DIR', hex: '6103500141ffff', offset: 0, why: 'an application template without an AID' },
  { ef: 'EF_ARR', hex: '8001018001029000', offset: 0, why: 'access mode READ with no security condition' },
  { ef: 'EF_ARR', hex: '9000800101', offset: 0, why: 'a security condition before any access mode' },
  { ef: 'EF_ECC', hex: '19f1ff81', offset: 3, why: 'spare bit b8 set in the service category' },
  { ef: 'EF_SMSP', hex: '01ffffffffffffffffffffffff0891945197109099f9ffffff0000a9', offset: 0, why: 'parameter indicators with b6-b8 not 1' },
  { ef: 'EF_EPSLOCI', hex: '0bf7fffffffffffffffffffffffffffffe01', offset: 1, why: 'identity type 7 is not GUTI' },
  { ef: 'EF_PL', hex: '656e0102', offset: 2, why: '01 02 is not an ISO 639 code' },
  { ef: 'EF_PBR', hex: 'a803c1034f', offset: 3, why: 'template A8 holds 3 bytes, the file DO C1 inside says 3 more' },
];
